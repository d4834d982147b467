"""Accessibility in the kiosk core (no Kivy): which sound and which spoken prompt belong to a state,
the cue tones, speech synthesis, and the colour palettes with their contrast ratios."""
