"""Tools for editors, operators and developers: checks, reports, build and run helpers. Nothing at run time imports them."""
