"""Personal data (GDPR): HR's export and anonymisation of a person, and everyone's own data download."""
