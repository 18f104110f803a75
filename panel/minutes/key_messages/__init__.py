"""Key messages: what the chair tells the community and the agencies after a meeting, approved and
published with its minutes, and also published on their own as a short document marked OFFICIAL
for wider sharing (a page and a stored PDF, and a panel's archive by year)."""
