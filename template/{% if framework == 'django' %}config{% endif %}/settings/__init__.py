"""Settings split by environment; `config.settings_module()` picks one from ENVIRONMENT."""
