"""Speed, load and scale: `python -m bench` (the serving benchmark) and `python -m bench.scale`."""
