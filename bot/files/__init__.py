"""Files the bot makes: attendee and question CSVs, the .ics calendar, the PDF certificate."""
