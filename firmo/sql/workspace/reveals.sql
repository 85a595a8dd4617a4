SELECT revealed_at, who, siren, field, client FROM compliance.reveal_log ORDER BY revealed_at, siren
