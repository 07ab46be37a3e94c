"""The printed report of `make bench-scale`: figures per page, batch jobs, slow plans, PASS/FAIL targets.

Pure formatting over the JSON the measuring processes wrote (no Django here).
"""

CROISSANCE_MAX = 1.5
REQUETES_DETAIL_MAX = 8
RATIO_REJET_MAX = 3.0
PAGES_DETAIL = ("detail (officer)", "detail (operator)")
# Pages whose figures are aggregates over all the service's (or every service's) history: their time
# grows with the data by design, so they are held to the plans (no sequential scan), not to the ratio.
PAGES_AGREGATS = ("service stats (officer)", "service stats (national)")
NOTABLE_MS = 5.0  # a query of a page re-run slower than this is shown in full


def libelle(taille: int) -> str:
    return f"{taille // 1000}k" if taille % 1000 == 0 else str(taille)


def millier(n: float) -> str:
    return f"{n:,.0f}".replace(",", "\u202f")


def balayages_demande(mesure: dict, tables_demande: set[str]) -> list[str]:
    return sorted(
        {b["table"] for p in mesure["plans"] for b in p["balayages"] if b["table"] in tables_demande}
    )


def balayages(mesure: dict) -> list[str]:
    vus = {}
    for plan in mesure["plans"]:
        for b in plan["balayages"]:
            vus[b["table"]] = b["lignes"]
    return [f"{table} ({millier(lignes)})" for table, lignes in sorted(vus.items())]


def preparation(taille: int, prep: dict) -> list[str]:
    t = prep["durees"]
    lignes = [
        f"  {libelle(taille):>5}  {prep['base']}: "
        + (
            f"seeded in {t['total']:.1f} s (migrate {t['migrate']:.1f}, reference data {t['reference']:.1f}, "
            f"COPY {t['copy']:.1f}, VACUUM ANALYZE {t['analyze']:.1f})"
            if not prep.get("reutilisee")
            else f"reused (migrate {t['migrate']:.1f} s, VACUUM ANALYZE {t['analyze']:.1f} s)"
        )
    ]
    if prep.get("lignes"):
        lignes.append(
            "         "
            + ", ".join(f"{table} {millier(n)}" for table, n in prep["lignes"].items())
            + f" — {millier(sum(prep['lignes'].values()))} rows"
        )
    return lignes


def tableau_pages(petite: int, grande: int, mesures: dict) -> list[str]:
    a, b = mesures[petite]["pages"], mesures[grande]["pages"]
    tete = (
        f"  {'page':<27} {libelle(petite) + ' ms':>9} {libelle(grande) + ' ms':>9} {'ratio':>6} "
        f"{'queries':>9}  seq scans at {libelle(grande)} (tables > 10k rows)"
    )
    lignes = [tete]
    for nom, grand in b.items():
        petit = a[nom]
        ratio = grand["ms"] / petit["ms"]
        requetes = f"{petit['requetes']}→{grand['requetes']}"
        scans = ", ".join(balayages(grand)) or "—"
        lignes.append(
            f"  {nom:<27} {petit['ms']:>9.1f} {grand['ms']:>9.1f} {ratio:>5.1f}× {requetes:>9}  {scans}"
        )
    return lignes


def plans_lents(pages: dict, *, complet: bool) -> list[str]:
    """Every query of every page: re-run time, planner cost, plan spine; the SQL in full for the notable ones
    (a seq scan of a big table, or ≥ NOTABLE_MS), with their whole EXPLAIN when `complet`."""
    lignes = []
    for nom, mesure in pages.items():
        plans = mesure["plans"]
        total = sum(p["ms"] or 0 for p in plans)
        lignes.append(
            f"  {nom} — {mesure['requetes']} queries, reads re-run {total:.1f} ms — GET {mesure['url']}"
        )
        for p in plans:
            ms = f"{p['ms']:6.1f} ms" if p["ms"] is not None else f"{'—':>9}"
            indices = f"  [{', '.join(p['indices'])}]" if p["indices"] else ""
            lignes.append(f"    #{p['numero']:<3}{ms}  cost {millier(p['cout']):>7}  {p['forme']}{indices}")
            notable = bool(p["balayages"]) or (p["ms"] or 0) >= NOTABLE_MS
            for b in p["balayages"]:
                filtre = f" — Filter: {b['filtre']}" if b["filtre"] else ""
                lignes.append(f"         Seq Scan on {b['table']} ({millier(b['lignes'])} rows){filtre}")
            sql = " ".join(p["sql"].split())
            lignes.append(f"         {sql if notable else sql[:150]}")
            if complet and notable:
                lignes.extend(f"           {ligne}" for ligne in p["explain"].splitlines())
    return lignes


def natures(liste: list) -> str:
    return "; ".join(f"{nom} ×{millier(n)} {s:.2f} s" for nom, n, s in liste) or "—"


def travaux(taille: int, jobs: dict) -> list[str]:
    r = jobs["rejet"]
    lignes = [f"  {libelle(taille)}:"]
    if r["en_retard"]:
        ratio = r["service_s"] / r["sql_s"]
        rendus = "yes" if r["rendus"] else "no"
        lignes += [
            f"    automatic rejection: {millier(r['rejetees'])} of {millier(r['en_retard'])} overdue "
            f"requests rejected in {r['service_s']:.2f} s (statuses, history and outbox rows, commits), "
            f"{millier(r['requetes'])} queries",
            f"      raw SQL of the same change (UPDATE + history INSERT, rolled back; median of 3): "
            f"{r['sql_s']:.2f} s for {millier(r['sql_lignes'][0])} requests, {millier(r['sql_lignes'][1])} "
            f"registrations given back, {millier(r['sql_lignes'][2])} history rows → ratio {ratio:.1f}×",
            f"      e-mails rendered inside the job: {rendus} — {millier(r['rendus'])} "
            f"in {r['rendu_s']:.2f} s; sending tasks published by the job: {millier(r['publies'])} "
            "(no broker: none, the planner sends)",
            f"      the job's own {millier(r['requetes'])} statements: {natures(r['natures'])}",
            f"      then the e-mails, as the workers send them (planner's pass, locmem backend): "
            f"{millier(r['envoyes'])} rendered ({millier(r['rendus_envoi'])} renders, "
            f"{r['rendu_envoi_s']:.2f} s) and sent in {r['envoi_s']:.2f} s over "
            f"{millier(r['connexions'])} connections",
            f"      the sending's {millier(r['requetes_envoi'])} statements: {natures(r['natures_envoi'])}",
            f"      written: {millier(r['historique'])} « rejet automatique » history rows, "
            f"{millier(r['refus_modification'])} « modification refusée » rows; outbox "
            f"{millier(r['courriels'])} e-mails, {millier(r['courriels_envoyes'])} marked sent "
            f"({millier(r['boite_locale'])} in the locmem backend)",
        ]
    for format in ("json", "csv"):
        e = jobs[f"export_{format}"]
        lignes.append(
            f"    EU export {format}: {millier(e['enregistrements'])} registrations, "
            f"{e['caracteres'] / 2**20:.1f} M characters in {e['s']:.2f} s, {e['requetes']} queries, "
            f"peak Python memory {e['pic_mio']:.1f} MiB (tracemalloc)"
        )
    for i, essai in enumerate(jobs["pdf"]["essais"], 1):
        lignes.append(
            f"    PDF download #{i}: {essai['s'] * 1000:.0f} ms, {millier(essai['octets'])} bytes; "
            f"HTML renders {essai['html']} ({essai['html_s'] * 1000:.0f} ms), "
            f"WeasyPrint renders {essai['pdf']} ({essai['pdf_s'] * 1000:.0f} ms)"
        )
    return lignes


def objectifs(petite: int, grande: int, mesures: dict, tables_demande: set[str]) -> list[tuple[bool, str]]:
    a, b = mesures[petite]["pages"], mesures[grande]["pages"]
    resultats = []
    g = libelle(grande)
    for nom, grand in b.items():
        if nom in PAGES_AGREGATS:
            continue
        ratio = grand["ms"] / a[nom]["ms"]
        resultats.append(
            (
                ratio <= CROISSANCE_MAX,
                f"{nom}: growth {libelle(petite)}→{g} {ratio:.2f}× (≤ {CROISSANCE_MAX}×)",
            )
        )
    for nom, grand in b.items():
        tables = balayages_demande(grand, tables_demande)
        detail = ", ".join(tables) if tables else "none"
        resultats.append(
            (not tables, f"{nom}: seq scans of rex_demande or its child tables at {g}: {detail}")
        )
    for nom in PAGES_DETAIL:
        n = b[nom]["requetes"]
        resultats.append((n <= REQUETES_DETAIL_MAX, f"{nom}: {n} queries at {g} (≤ {REQUETES_DETAIL_MAX})"))
    if "jobs" not in mesures[grande]:
        return resultats
    jobs = mesures[grande]["jobs"]
    r = jobs["rejet"]
    if r["en_retard"]:
        ratio = r["service_s"] / r["sql_s"]
        complet = r["historique"] == r["rejetees"] == r["en_retard"] and r["courriels"] == r["rejetees"]
        resultats.append(
            (
                ratio <= RATIO_REJET_MAX and complet,
                f"automatic rejection of {millier(r['en_retard'])}: {ratio:.1f}× its raw SQL "
                f"(≤ {RATIO_REJET_MAX}×), "
                f"history rows {millier(r['historique'])}/{millier(r['en_retard'])}, "
                f"e-mails queued {millier(r['courriels'])}/{millier(r['en_retard'])}",
            )
        )
    second = jobs["pdf"]["essais"][1]
    rendus = second["html"] + second["pdf"]
    resultats.append(
        (
            rendus == 0,
            f"cached PDF download renders nothing: {second['html']} HTML render(s), "
            f"{second['pdf']} WeasyPrint render(s) on the 2nd download",
        )
    )
    return resultats


def rapport(mesures: dict, preparations: dict, tables_demande: set[str], *, plans_complets: bool) -> str:
    tailles = sorted(mesures)
    petite, grande = tailles[0], tailles[-1]
    lignes = [
        "bench-scale — SOPRANO/REX at a national register's volume",
        "Pages: median of the in-process GETs (Django test Client) after a warm-up, the data sets in turn "
        "request by request; PostgreSQL on a shared machine: figures are noisy, compare medians of several "
        f"runs. At {libelle(petite)}, « p.500 » is the last page.",
        "",
        "Data sets",
    ]
    for taille in tailles:
        lignes += preparation(taille, preparations[taille])
    lignes += ["", "Pages", *tableau_pages(petite, grande, mesures)]
    if all("jobs" in mesures[taille] for taille in tailles):
        lignes += ["", "Batch jobs"]
        for taille in tailles:
            lignes += travaux(taille, mesures[taille]["jobs"])
    lignes += [
        "",
        f"Queries at {libelle(grande)}: #n, the read re-run alone (median of 3), planner cost and plan "
        "spine (EXPLAIN, not ANALYZE), hints; SQL in full when it seq-scans a table over 10k rows or takes "
        f"≥ {NOTABLE_MS:.0f} ms",
    ]
    lignes += plans_lents(mesures[grande]["pages"], complet=plans_complets)
    resultats = objectifs(petite, grande, mesures, tables_demande)
    lignes += ["", "Targets"]
    lignes += [f"  {'PASS' if ok else 'FAIL'}  {texte}" for ok, texte in resultats]
    lignes.append(f"{sum(ok for ok, _ in resultats)}/{len(resultats)} targets pass")
    return "\n".join(lignes)
