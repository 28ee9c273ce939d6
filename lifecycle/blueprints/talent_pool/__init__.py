"""The talent pool (attract): HR's members, their strengths and consent, and moving them on."""
