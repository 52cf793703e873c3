"""``xxgk report``: one self-contained HTML page per agency or region."""
