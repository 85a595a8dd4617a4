"""The workspace in a real browser: Selenium driving Debian's headless chromium (`.ci/run`
installs it) against the app served by uvicorn on a free loopback port, over a copy of the small
generated warehouse of conftest.py. It builds an ICP from an empty form, watches the count change,
sees an error beside its field, saves the ICP (the diff first), reopens it, opens a lead, and at the
end deletes the ICP from its page (the file moved to icps/.deleted/).

The screenshots of the builder, of a lead page and of the lead explorer (with a push preview) are taken on every run (into the test's
folder); with FIRMO_TEST_SCREENSHOTS=docs/screenshots they are also written there for the README.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from pipelines.workspace_app import create_app
from tests.crm.fake_hubspot import TOKEN, FakeHubSpot
from tests.icp.warehouse import AS_OF
from tests.workspace.conftest import settings_for

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None or DRIVER is None,
        reason="chromium and chromedriver not found (apt-get install chromium chromium-driver; .ci/run does it)",
    ),
]
webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.expected_conditions import alert_is_present  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def site(warehouse, tmp_path):
    """The app on a copy of the warehouse (the test writes an ICP file), served for real."""
    root = tmp_path / "ws"
    shutil.copytree(warehouse, root, ignore=shutil.ignore_patterns("workspace.duckdb*"))
    port = _free_port()
    hubspot = FakeHubSpot().__enter__()  # the CRM API the lead explorer pushes to (loopback)
    settings = settings_for(
        root, FIRMO_EXPORTS_DIR=str(root / "exports"), HUBSPOT_ACCESS_TOKEN=TOKEN, FIRMO_HUBSPOT_BASE_URL=hubspot.url
    )
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, as_of=AS_OF), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the workspace did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", root
    server.should_exit = True
    thread.join(timeout=30)
    hubspot.__exit__(None, None, None)


@pytest.fixture()
def browser():
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000", "--lang=fr-FR"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=DRIVER))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def _wait(driver, condition, timeout: float = 20):
    """Until `condition` holds; a node the page's script replaced meanwhile is read again."""
    return WebDriverWait(driver, timeout, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda d: condition(d)
    )


def _text(driver, css: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, css).text


def _texts(driver, css: str) -> list[str]:
    """The text of every node matching `css`, read at once (the script may redraw between two reads)."""
    return driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map((e) => e.textContent.trim())", css
    )


def _click(driver, css: str) -> None:
    _wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, css).click() or True)


def _field(driver, name: str):
    return driver.find_element(By.NAME, name)


def _shots(tmp_path: Path) -> list[Path]:
    out = [tmp_path]
    if os.environ.get("FIRMO_TEST_SCREENSHOTS"):
        out.append(Path(os.environ["FIRMO_TEST_SCREENSHOTS"]))
    for folder in out:
        folder.mkdir(parents=True, exist_ok=True)
    return out


def _screenshot(driver, folders: list[Path], name: str) -> None:
    for folder in folders:
        assert driver.save_screenshot(str(folder / name))
        assert (folder / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_build_an_icp_from_an_empty_form_save_reopen_open_a_lead(site, browser, tmp_path):
    base, root = site
    shots = _shots(tmp_path)
    browser.get(f"{base}/icp/new")
    # an empty form selects every company: 6 leads of the 10 (conftest)
    _wait(browser, lambda d: _text(d, "#count") == "6")
    assert _text(browser, "#tiers") == "hot 1 · warm 0 · cold 5"

    _field(browser, "name").send_keys("browser_tech")
    # the NAF search over both nomenclatures
    browser.find_element(By.ID, "naf-search").send_keys("programmation informatique")
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".naf-hit"))
    hits = browser.execute_script("return [...document.querySelectorAll('.naf-hit')].map((b) => b.dataset.value)")
    assert hits[:2] == ["62.01Z", "62.10Y"]
    _click(browser, '.naf-hit[data-value="62.01Z"]')
    assert _field(browser, "criteria.naf.include").get_attribute("value") == "62.01Z"
    _wait(browser, lambda d: _text(d, "#count") == "1")
    # a prefix instead: the count changes again
    include = _field(browser, "criteria.naf.include")
    include.clear()
    include.send_keys("62")
    _wait(browser, lambda d: _text(d, "#count") == "2")
    assert _text(browser, "#tiers") == "hot 0 · warm 2 · cold 0"
    assert browser.find_elements(By.CSS_SELECTOR, "#chart-region svg rect")
    assert browser.find_elements(By.CSS_SELECTOR, "#chart-naf svg rect")
    assert _texts(browser, "#top tbody tr td:nth-child(2)") == ["000000001", "000000002"]

    # the checks of `firmo icp check`, beside the field
    regions = _field(browser, "criteria.regions")
    regions.send_keys("Atlantide")
    _wait(browser, lambda d: _text(d, '[data-err="criteria.regions"]') == "unknown région 'Atlantide'")
    assert _text(browser, "#count") == "—"
    regions.clear()
    regions.send_keys("Île-de-France")
    _wait(browser, lambda d: _text(d, "#count") == "1")
    assert _text(browser, '[data-err="criteria.regions"]') == ""
    tiers = _field(browser, "scoring.tiers.hot")
    tiers.send_keys("60")
    _wait(browser, lambda d: _text(d, "#tiers") == "hot 1 · warm 0 · cold 0")
    browser.execute_script("window.scrollTo(0, 0)")
    _screenshot(browser, shots, "builder.png")

    # save: the diff first, then the file
    assert not (root / "icps" / "browser_tech.yaml").exists()
    browser.find_element(By.ID, "save").click()
    _wait(browser, lambda d: "+criteria:" in _text(d, "#diff"))
    assert _text(browser, "#diff").splitlines()[3:] == [
        "+criteria:",
        "+  naf:",
        "+    include: ['62']",
        "+  regions: [Île-de-France]",
        "+scoring:",
        "+  tiers: {hot: 60}",
    ]
    assert not (root / "icps" / "browser_tech.yaml").exists()
    browser.find_element(By.ID, "confirm").click()
    _wait(browser, lambda d: d.current_url.endswith("/icp/browser_tech?saved=1"))
    assert (root / "icps" / "browser_tech.yaml").read_text(encoding="utf-8") == (
        "criteria:\n  naf:\n    include: ['62']\n  regions: [Île-de-France]\nscoring:\n  tiers: {hot: 60}\n"
    )

    # reopened: the form says what the file says, and saving it again changes nothing
    _wait(browser, lambda d: _text(d, "#count") == "1")
    assert _field(browser, "criteria.naf.include").get_attribute("value") == "62"
    assert _field(browser, "criteria.regions").get_attribute("value") == "Île-de-France"
    assert _field(browser, "scoring.tiers.hot").get_attribute("value") == "60"
    browser.find_element(By.ID, "save").click()
    _wait(browser, lambda d: _text(d, "#save-title") == "icps/browser_tech.yaml: no change")
    browser.find_element(By.ID, "cancel").click()

    # open a lead from the preview
    _click(browser, '#top a[href="/companies/000000001"]')
    _wait(browser, lambda d: d.find_elements(By.ID, "company-name"))
    assert _text(browser, "#company-name") == "ACME 000000001 000000001"
    assert "j***@acme.fr" in _text(browser, "#contacts")
    evidence = browser.find_element(By.CSS_SELECTOR, "#signals a")
    assert evidence.get_attribute("href") == (
        "https://www.bodacc.fr/pages/annonces-commerciales-detail/?q.id=id:A202506011234"
    )
    _screenshot(browser, shots, "lead.png")
    browser.find_element(By.CSS_SELECTOR, "#contacts td.email a.reveal").click()
    _wait(browser, lambda d: "jeanne.martin@acme.fr" in _text(d, "#contacts"))
    # an action, through the CLI's function: the account is watched
    _click(browser, 'button[data-action="watch"]')
    _wait(browser, lambda d: _text(d, "#action-result") == "watched")

    # the lead explorer, sorted by score descending, then filtered
    browser.get(f"{base}/leads/tech")
    browser.find_element(By.CSS_SELECTOR, 'a.sort[data-sort="score"]').click()
    browser.find_element(By.CSS_SELECTOR, 'a.sort[data-sort="score"]').click()
    assert "sort=-score" in browser.current_url
    assert _texts(browser, "#leads tbody td:nth-child(2)") == ["000000001", "000000002"]
    _field(browser, "has_email").send_keys("without")
    browser.find_element(By.CSS_SELECTOR, "#filters button").click()
    _wait(browser, lambda d: _text(d, "#total") == "1 leads")
    assert _texts(browser, "#leads tbody td:nth-child(2)") == ["000000002"]

    # export the list to CRM files: incremental, through `firmo crm export`'s function
    browser.find_element(By.ID, "export-crm").send_keys("hubspot")
    _click(browser, "#export-button")
    _wait(browser, lambda d: _text(d, "#export-result").startswith("hubspot: 1 exported, 0 unchanged → tech/hubspot/"))
    _click(browser, "#export-button")
    _wait(browser, lambda d: _text(d, "#export-result").startswith("hubspot: 0 exported, 1 unchanged · not exported"))

    # push it through HubSpot's API (the loopback fake): the dry run first, then the push, as
    # `firmo export --push hubspot`
    assert browser.find_element(By.ID, "push-button").get_attribute("disabled") == "true"
    _click(browser, "#push-preview")
    _wait(browser, lambda d: _text(d, "#push-result") == (
        "hubspot, dry run: 2 changes · 0 unchanged, 0 suppressed, 0 customers"))
    assert _text(browser, "#push-planned").splitlines() == [
        "would create company 000000002 (ACME 000000002)", "would add note to company 000000002"]
    _screenshot(browser, shots, "explorer.png")
    _click(browser, "#push-button")
    _wait(browser, lambda d: _text(d, "#push-result") == (
        "hubspot: 1 companies, 0 contacts pushed, 0 failed · 0 unchanged, 0 suppressed, 0 customers"))

    # delete the ICP from its page: asked first (cancel keeps it), then moved to icps/.deleted/
    browser.get(f"{base}/icp/browser_tech")
    browser.find_element(By.ID, "delete").click()
    assert _wait(browser, alert_is_present()).text.startswith("Delete icps/browser_tech.yaml?")
    browser.switch_to.alert.dismiss()
    assert (root / "icps" / "browser_tech.yaml").exists()
    browser.find_element(By.ID, "delete").click()
    _wait(browser, alert_is_present()).accept()
    _wait(browser, lambda d: d.current_url == f"{base}/")
    assert not (root / "icps" / "browser_tech.yaml").exists()
    assert [p.read_text(encoding="utf-8") for p in (root / "icps" / ".deleted").glob("browser_tech.*.yaml")] == [
        "criteria:\n  naf:\n    include: ['62']\n  regions: [Île-de-France]\nscoring:\n  tiers: {hot: 60}\n"
    ]
