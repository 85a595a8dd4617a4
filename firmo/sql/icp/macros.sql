-- Text helpers for score reasons (temporary macros, created on the connection before scoring).
-- icp_ago(days): '12 days ago', '3 weeks ago', '5 months ago'. icp_money(euros): '€2.3M', '€850k'.
-- icp_in(days), a day to come: 'today', 'tomorrow', 'in 40 days'.
CREATE OR REPLACE TEMP MACRO icp_ago(days) AS CASE
    WHEN days <= 0 THEN 'today'
    WHEN days = 1 THEN 'yesterday'
    WHEN days < 14 THEN days || ' days ago'
    WHEN days < 60 THEN (days // 7) || ' weeks ago'
    WHEN days < 730 THEN (days // 30) || ' months ago'
    ELSE (days // 365) || ' years ago'
END;
CREATE OR REPLACE TEMP MACRO icp_money(euros) AS CASE
    WHEN euros >= 1e9 THEN '€' || replace(printf('%.1f', euros / 1e9), '.0', '') || 'B'
    WHEN euros >= 1e6 THEN '€' || replace(printf('%.1f', euros / 1e6), '.0', '') || 'M'
    WHEN euros >= 1e3 THEN '€' || CAST(round(euros / 1e3) AS BIGINT) || 'k'
    ELSE '€' || CAST(euros AS BIGINT)
END;
CREATE OR REPLACE TEMP MACRO icp_in(days) AS CASE
    WHEN days <= 0 THEN 'today'
    WHEN days = 1 THEN 'tomorrow'
    ELSE 'in ' || days || ' days'
END;
