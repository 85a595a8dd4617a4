-- Why each SIREN of {{sirens}} may not be prospected now (NULL: it may), from the registries'
-- current state: {{companies}} is core.companies (SIRENE), {{rne}} is inpi.companies (one row per
-- SIREN, its latest RNE payload). Read at decision time by the enrichment's block check and by
-- the export's last gate, never from the copy a lead list made when it was built: a unit can
-- turn `P`, oppose commercial use or close after that.
-- Precedence: SIRENE `P` (R123-232-1), RNE opposition (R.123-320), then, when $strict (the
-- export), a unit unknown to core.companies or closed. A NULL diffusionCommerciale (a payload
-- without the flag) is not an opposition.
SELECT
    s.siren,
    CASE
        WHEN c.diffusible = false THEN $p_reason
        WHEN r.diffusion_commerciale = false THEN $opposition_reason
        WHEN $strict AND c.siren IS NULL THEN $unknown_reason
        WHEN $strict AND c.active IS DISTINCT FROM true THEN $closed_reason
    END AS refusal
FROM (SELECT DISTINCT siren FROM {{sirens}}) s
LEFT JOIN {{companies}} c ON c.siren = s.siren
LEFT JOIN {{rne}} r ON r.siren = s.siren
