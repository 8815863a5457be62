"""Case change events from the Connect Cases event stream, turned into notices to the customer."""
