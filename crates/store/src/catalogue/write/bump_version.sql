UPDATE catalogue_version SET version = version + 1, changed_at = now() RETURNING version
