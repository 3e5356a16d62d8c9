"""What operators need from every app server: health probes, request ids and JSON logs."""
