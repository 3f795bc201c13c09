"""What is known about the code: parse, summary, reach, names, types, torch API."""
