-- Macros of the job-offer matcher (sources/jobs/match.py). firmo_value is in identifiers.sql.

-- A company name reduced to what two spellings of it share: accents and case dropped, dots
-- removed (S.A.R.L. -> SARL), '&' read as ET, punctuation as spaces, legal-form and filler
-- words removed as whole words, spaces collapsed, a dangling final ET (of ET CIE) dropped.
-- NULL for an empty result or SIRENE's [ND].
CREATE OR REPLACE MACRO jobs_norm_name(s) AS
    CASE WHEN firmo_value(s, '[ND]') IS NULL THEN NULL ELSE nullif(regexp_replace(trim(regexp_replace(
        regexp_replace(
            regexp_replace(
                upper(strip_accents(replace(replace(replace(replace(s, '.', ''), '&', ' ET '), 'œ', 'oe'), 'Œ', 'OE'))),
                '[^A-Z0-9]+', ' ', 'g'),
            '\b(SAS|SASU|SARL|SARLU|EURL|SA|SNC|SCI|SCOP|SCS|SCA|SCP|SCM|SC|SELARL|SELAS|SELAFA|SELCA|SELEURL|SEL|GIE|GAEC|EARL|EI|EIRL|EPIC|SEM|SPL|STE|SOCIETE|ETS|ETABLISSEMENTS|CIE)\b',
            ' ', 'g'),
        '\s+', ' ', 'g')), '( ET)+$', ''), '') END;

-- Paris, Lyon and Marseille: an arrondissement and the city code count as one place (an offer
-- may give either, SIRENE gives the arrondissement).
CREATE OR REPLACE MACRO jobs_commune_key(c) AS
    CASE WHEN firmo_value(c, '[ND]') IS NULL THEN NULL
         WHEN c BETWEEN '75101' AND '75120' THEN '75056'
         WHEN c BETWEEN '69381' AND '69389' THEN '69123'
         WHEN c BETWEEN '13201' AND '13216' THEN '13055'
         ELSE trim(c) END;
