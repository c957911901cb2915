"""Dispatch (吹哨报到): grids, responders, work orders, claiming, whistles, deadlines."""
