"""Patron flows as plain state machines: ``handle(event)`` changes the state and returns effects
(card or server work) that a runner performs off the UI thread and answers with another event.
Screens only render ``flow.state`` and turn taps into events.
"""
