-- Macros of the geolocation load (sources/geoloc/load.py).

-- A WGS84 point inside one of France's boxes: metropolitan France with Corsica, the DROM, the
-- overseas collectivities, New Caledonia, the TAAF and Clipperton. Coarse boxes with a margin of a
-- few tenths of a degree (sea included): they catch swapped, projected (Lambert-93 metres) or zero
-- coordinates, not a point a few km off its commune.
CREATE OR REPLACE MACRO firmo_in_france(lat, lon) AS
       (lat BETWEEN  41.0 AND  51.5 AND lon BETWEEN   -5.8 AND   10.0)  -- metropole + Corse
    OR (lat BETWEEN  15.7 AND  16.7 AND lon BETWEEN  -61.9 AND  -60.9)  -- Guadeloupe (971)
    OR (lat BETWEEN  14.3 AND  15.0 AND lon BETWEEN  -61.3 AND  -60.7)  -- Martinique (972)
    OR (lat BETWEEN   2.0 AND   6.0 AND lon BETWEEN  -54.8 AND  -51.4)  -- Guyane (973)
    OR (lat BETWEEN -21.5 AND -20.8 AND lon BETWEEN   55.1 AND   56.0)  -- La Réunion (974)
    OR (lat BETWEEN  46.7 AND  47.2 AND lon BETWEEN  -56.5 AND  -56.0)  -- Saint-Pierre-et-Miquelon (975)
    OR (lat BETWEEN -13.1 AND -12.5 AND lon BETWEEN   44.9 AND   45.4)  -- Mayotte (976)
    OR (lat BETWEEN  17.8 AND  18.2 AND lon BETWEEN  -63.2 AND  -62.7)  -- Saint-Barthélemy, Saint-Martin (977, 978)
    OR (lat BETWEEN -14.5 AND -13.0 AND lon BETWEEN -178.3 AND -176.0)  -- Wallis-et-Futuna (986)
    OR (lat BETWEEN -28.5 AND  -7.5 AND lon BETWEEN -155.0 AND -134.0)  -- Polynésie française (987)
    OR (lat BETWEEN -23.5 AND -17.5 AND lon BETWEEN  158.0 AND  172.5)  -- Nouvelle-Calédonie (988)
    OR (lat BETWEEN -50.1 AND -48.4 AND lon BETWEEN   68.4 AND   70.7)  -- Kerguelen (984)
    OR (lat BETWEEN -46.6 AND -45.9 AND lon BETWEEN   50.1 AND   52.4)  -- Crozet (984)
    OR (lat BETWEEN -39.0 AND -37.6 AND lon BETWEEN   77.3 AND   77.8)  -- Amsterdam, Saint-Paul (984)
    OR (lat BETWEEN -22.5 AND -21.4 AND lon BETWEEN   39.6 AND   40.5)  -- Europa, Bassas da India (984)
    OR (lat BETWEEN -17.2 AND -16.9 AND lon BETWEEN   42.6 AND   42.8)  -- Juan de Nova (984)
    OR (lat BETWEEN -11.7 AND -11.4 AND lon BETWEEN   47.2 AND   47.5)  -- Glorieuses (984)
    OR (lat BETWEEN -16.0 AND -15.8 AND lon BETWEEN   54.4 AND   54.6)  -- Tromelin (984)
    OR (lat BETWEEN -67.5 AND -65.5 AND lon BETWEEN  135.5 AND  142.5)  -- Terre Adélie (984)
    OR (lat BETWEEN  10.2 AND  10.4 AND lon BETWEEN -109.3 AND -109.1); -- Clipperton (989)

-- A published value that means "no value": NULL, empty, or INSEE's mask `[ND]` (non diffusé);
-- the Common conventions' firmo_value (identifiers.sql).
CREATE OR REPLACE MACRO firmo_geoloc_value(v) AS firmo_value(v, '[ND]');

-- A coordinate or a distance as published ('2.3522', INSEE's decimal point; a comma is accepted too).
CREATE OR REPLACE MACRO firmo_geoloc_number(v) AS
    TRY_CAST(replace(firmo_geoloc_value(v), ',', '.') AS DOUBLE);
