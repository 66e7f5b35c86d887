"""The results store (绩效库): every unit's forms of every year in one SQLite file, and what history asks of it."""
