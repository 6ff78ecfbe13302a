"""Frame measurement tools: bearing, alignment and resection, with their dock."""
