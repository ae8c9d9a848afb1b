"""Site knowledge kept as data: channel and paper tables read with importlib.resources."""
