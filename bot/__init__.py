"""The application: settings, assembly, CLI and the domain services that need no Telegram."""
