"""The rules of the meeting: who may do what, what each command changes, how
marks and votes tally and what each role sees. Nothing here imports Flask or
Socket.IO, so the rules can be read and tested on a plain database session."""
