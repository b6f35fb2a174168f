"""The shop's core, shared by the channels, the console and the actions (issue 20 moves
more of it here: settings, the clock, identity, the database). Imports nothing of Rasa."""
