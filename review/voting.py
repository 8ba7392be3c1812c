"""The Schulze method for the coordinators' ranked vote on a prize shortlist.

Each ballot ranks the shortlisted entries (1 = best; equal ranks allowed, an entry a
ballot leaves out counts as ranked below all it ranks). For every pair of entries
(a, b), d[a][b] is the number of ballots preferring a to b. The strength of the
strongest path p[a][b] is the widest chain a → … → b of pairwise wins, where a chain
is as strong as its weakest link (Floyd–Warshall). a is ranked above b when
p[a][b] > p[b][a]. Entries are ordered by how many others they beat this way; entries
that beat the same number are tied (the relation is transitive, so neither of two such
entries is ranked above the other) and share a place, as in a competition: 1, 1, 3. The method is Condorcet-consistent and resists
tactical voting better than a Borda count, and a small committee can check it by hand
from the pairwise table, which the results page shows.
"""

from typing import Any


def pairwise_preferences(candidates: Any, ballots: Any) -> Any:
    d = {a: {b: 0 for b in candidates if b != a} for a in candidates}
    worst = len(candidates) + 1
    for ranks in ballots:
        for a in candidates:
            for b in candidates:
                if a != b and ranks.get(a, worst) < ranks.get(b, worst):
                    d[a][b] += 1
    return d


def schulze(candidates: Any, ballots: Any) -> Any:
    """[(candidate, wins)] best first, and the pairwise table; ballots are dicts c → rank."""
    candidates = list(candidates)
    d = pairwise_preferences(candidates, ballots)
    p = {a: {b: (d[a][b] if d[a][b] > d[b][a] else 0) for b in d[a]} for a in candidates}
    for i in candidates:
        for j in candidates:
            if i == j:
                continue
            for k in candidates:
                if k in (i, j):
                    continue
                p[j][k] = max(p[j][k], min(p[j][i], p[i][k]))
    wins = {a: sum(1 for b in p[a] if p[a][b] > p[b][a]) for a in candidates}
    order = sorted(candidates, key=lambda a: -wins[a])
    return [(a, wins[a]) for a in order], d


def places(order: Any) -> Any:
    """[(candidate, wins, place, tied)] from schulze()'s order: a place is one more than
    the number of entries that beat more others; `tied` when another shares it."""
    result = []
    for candidate, wins in order:
        place = 1 + sum(1 for _other, more in order if more > wins)
        tied = sum(1 for _other, same in order if same == wins) > 1
        result.append((candidate, wins, place, tied))
    return result


def winners(order: Any) -> list[Any]:
    """The candidates in the first place (several when they are tied)."""
    return [candidate for candidate, _wins, place, _tied in places(order) if place == 1]
