"""Pages beside the steps: Train (one live run), Runs (the history), Chat and Export.

Sample runs for opening a page alone: `app.ui.pages.samples.sample_home()`.
"""
