"""What runs inside the Rasa server: channels, stores, formatting for messengers, the fenced Rasa patches."""
