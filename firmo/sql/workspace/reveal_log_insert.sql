INSERT INTO compliance.reveal_log VALUES ($revealed_at, $who, $siren, $field, $client)
