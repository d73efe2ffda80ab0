"""Rasa's HTTP API as our service calls it (outbound): resume, rate, trigger, post a bot message, read a tracker."""
