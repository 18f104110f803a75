"""The pool of finalised cases a panel draws its case reviews from, and the draws themselves.

The coordinator imports an extract of finalised hate crime cases (or adds them one by one): coarse
facts only, and the agency's own reference, encrypted and kept only as long as the coordinator
needs it to find the file. A draw picks cases at random, optionally by theme, from a recorded seed,
so that anyone can run it again and get the same cases; each case drawn becomes a draft case
review for the panel's next meeting.
"""
