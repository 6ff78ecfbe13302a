"""Time: instants with their zone, local time from the IANA database, dates in file names."""
