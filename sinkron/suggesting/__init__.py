"""Computing suggested plan items for a meeting, away from the event loop:
compute.py reads the matcher's inputs and runs it (sinkron/matching/),
worker.py does that in a child process, child.py starts the child and reads
its answer. Nothing here imports Flask or Socket.IO (the child starts
without them)."""
