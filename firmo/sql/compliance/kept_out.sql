-- Active units kept out of prospecting, by registry: SIRENE `P` only, RNE opposition only, both.
-- {{rne}}: inpi.companies (or an empty stand-in when the RNE is not loaded).
SELECT
    count(*) FILTER (WHERE NOT c.diffusible AND r.siren IS NULL) AS p_only,
    count(*) FILTER (WHERE c.diffusible AND r.siren IS NOT NULL) AS opposition_only,
    count(*) FILTER (WHERE NOT c.diffusible AND r.siren IS NOT NULL) AS both_flags,
    count(*) FILTER (WHERE c.diffusible AND r.siren IS NULL) AS prospectable
FROM core.companies c
LEFT JOIN (SELECT siren FROM {{rne}} WHERE diffusion_commerciale = false) r ON r.siren = c.siren
WHERE c.active
