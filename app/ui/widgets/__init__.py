"""Reusable widgets: live plots, the log pane, the config form and its editors, the sidebar."""
