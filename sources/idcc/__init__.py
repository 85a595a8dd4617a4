"""Collective agreements (open_data.md §7): which IDCC each establishment declares in its DSN
(the Ministère du Travail's SIRET -> IDCC file) and the agreements' names (DARES and KALI lists)."""
