"""What every area uses and that uses no area: settings, language, places, the complaint's states."""
