"""`make bench-scale`: the service at a national register's volume (see __main__)."""
