"""The trainers' workbench: conversations, the misunderstood inbox, checks, NLU and analytics reports.

Pure modules (conversations, analytics, lint, nlu_data, stories, charts) do the work and are unit-tested;
`web` serves them as server-rendered pages, `__main__` as command-line reports.
"""
