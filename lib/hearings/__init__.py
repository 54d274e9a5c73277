"""Hearings: office rules, free slots, booking, video rooms and the calendar export."""
