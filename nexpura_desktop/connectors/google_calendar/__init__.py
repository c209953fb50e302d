"""Google Calendar: appointments and due dates pushed as events, Google-side moves pulled."""
