"""The case's geodata as the map and the frame tools share it: writes with undo, map picks."""
