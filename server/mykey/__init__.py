"""The MyKey platform seam: an interface (connector.py), a local simulator (simulator.py), and the choice
between implementations (factory.py).

In production the platform (reached through the Digital Agency's software) supplies the
challenge the card signs, verifies the answer, and returns the person's マイキーID; a real
connector implements the same interface.
"""
