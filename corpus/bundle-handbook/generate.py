"""Writes the bundle-handbook export bundle: 34 pages and blog posts in 4 levels, with
cross-page links, anchors, includes and attachments. Run from this folder; the output is
committed, so this script only documents how it was made and lets it be regenerated."""
import json, os
from PIL import Image, ImageDraw

SERVICES = [
    ("payments", "Payments", "Payments team", 1, "Card and bank payments, refunds and payouts."),
    ("ledger", "Ledger", "Payments team", 1, "Double-entry ledger of every money movement."),
    ("search", "Search", "Discovery team", 2, "Full-text search over the product catalogue."),
    ("catalogue", "Catalogue", "Discovery team", 2, "Products, prices and availability."),
    ("notifications", "Notifications", "Messaging team", 2, "E-mail, SMS and push delivery."),
    ("identity", "Identity", "Security team", 1, "Sign-in, sessions and API tokens."),
    ("reporting", "Reporting", "Data team", 3, "Nightly finance and operations reports."),
    ("gateway", "API gateway", "Platform team", 1, "Routing, rate limits and authentication at the edge."),
]

pages = []
def page(id, title, parent, position, body, labels=(), kind="page", date=None, author=None, attachments=None):
    entry = {"id": id, "title": title, "position": position, "file": f"pages/{id}/page.xhtml", "labels": list(labels)}
    if parent: entry["parent"] = parent
    if kind != "page": entry["type"] = kind
    if date: entry["date"] = date
    if author: entry["author"] = author
    os.makedirs(f"pages/{id}", exist_ok=True)
    with open(f"pages/{id}/page.xhtml", "w") as f:
        f.write(body)
    pages.append(entry)

def link(title, text=None, anchor=None):
    a = f' ac:anchor="{anchor}"' if anchor else ""
    body = f"<ac:plain-text-link-body><![CDATA[{text}]]></ac:plain-text-link-body>" if text else ""
    return f'<ac:link{a}><ri:page ri:content-title="{title}" />{body}</ac:link>'

def anchor(name):
    return f'<ac:structured-macro ac:name="anchor" ac:schema-version="1"><ac:parameter ac:name="">{name}</ac:parameter></ac:structured-macro>'

def picture(path, label, colour, size=(640, 240)):
    im = Image.new("RGB", size, colour)
    d = ImageDraw.Draw(im)
    d.rectangle([6, 6, size[0] - 7, size[1] - 7], outline=(255, 255, 255), width=3)
    d.text((18, size[1] // 2 - 6), label, fill=(255, 255, 255))
    im.save(path, optimize=True)

# Level 1: the home page.
page("100", "Platform handbook", None, 0,
    "<p>This handbook is how the platform group builds, runs and changes production. Start with "
    + link("Getting started") + ", then read the " + link("Service catalogue", "service catalogue") + ".</p>"
    "<h1>Sections</h1>"
    '<ac:structured-macro ac:name="children" ac:schema-version="2"><ac:parameter ac:name="depth">1</ac:parameter></ac:structured-macro>'
    "<h1>Conventions</h1><p>Every page names an owner. Pages older than a year are reviewed in the "
    + link("Quarterly review process", "quarterly review") + ".</p>"
    '<ac:structured-macro ac:name="include" ac:schema-version="1"><ac:parameter ac:name=""><ac:link><ri:page ri:content-title="Shared: support hours" /></ac:link></ac:parameter></ac:structured-macro>',
    labels=["handbook"])

# Shared snippet page, included by several pages.
page("101", "Shared: support hours", "100", 90,
    "<p><strong>Support hours.</strong> Tier-1 services are supported around the clock; tier-2 and tier-3 services on "
    "weekdays from 08:00 to 20:00 CET. Outside those hours, page the on-call engineer through the "
    + link("Paging policy", "paging policy") + ".</p>",
    labels=["snippet"])

# Level 2: Getting started and its children.
page("110", "Getting started", "100", 1,
    "<h1>First week</h1><p>Pick a buddy, get access, ship something small.</p>"
    '<ac:structured-macro ac:name="children" ac:schema-version="2" />'
    "<h2>Checklist</h2><ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>incomplete</ac:task-status>"
    "<ac:task-body>Read " + link("Access and accounts") + "</ac:task-body></ac:task><ac:task><ac:task-id>2</ac:task-id>"
    "<ac:task-status>incomplete</ac:task-status><ac:task-body>Set up " + link("Local development", "your laptop") + "</ac:task-body></ac:task></ac:task-list>",
    labels=["onboarding"])
page("111", "Access and accounts", "110", 1,
    "<h1>Accounts</h1><p>Request an account in the access portal; approval takes one working day.</p>"
    + anchor("production-access") +
    "<h2>Production access</h2><p>Production access needs a second approver from the "
    + link("Identity service", "identity team") + " and expires after 90 days.</p>"
    "<h2>Tokens</h2><p>API tokens are issued by the " + link("API gateway service", "gateway") + ".</p>",
    labels=["onboarding", "security"])
page("112", "Local development", "110", 2,
    "<h1>Tools</h1><ul><li>Rust stable and Docker</li><li>The <code>acme</code> command line</li></ul>"
    '<ac:structured-macro ac:name="code" ac:schema-version="1"><ac:parameter ac:name="language">bash</ac:parameter>'
    "<ac:plain-text-body><![CDATA[acme login\nacme dev up --services payments,ledger]]></ac:plain-text-body></ac:structured-macro>"
    "<h1>Troubleshooting</h1><p>If the stack does not start, see " + link("Access and accounts", "production access rules", "production-access") + ".</p>",
    labels=["onboarding"])
page("113", "Your first change", "110", 3,
    "<h1>Flow</h1><p>Branch, review, merge; the " + link("Release process", "release train") + " ships it.</p>"
    '<ac:image ac:align="center" ac:width="560"><ri:attachment ri:filename="change-flow.png" /><ac:caption><p>From branch to production</p></ac:caption></ac:image>',
    labels=["onboarding"])
picture("pages/113/change-flow.png", "branch -> review -> merge -> release train", (0, 82, 204))

# Level 2: Service catalogue, level 3: services, level 4: service runbooks.
rows = "".join(
    f"<tr><td>{link(name + ' service', name)}</td><td>{team}</td><td>{tier}</td></tr>" for _, name, team, tier, _ in SERVICES)
page("120", "Service catalogue", "100", 2,
    '<ac:structured-macro ac:name="excerpt" ac:schema-version="1"><ac:rich-text-body><p>Every production service, its owning team and its tier.</p></ac:rich-text-body></ac:structured-macro>'
    "<h1>Services</h1><table><tbody><tr><th>Service</th><th>Team</th><th>Tier</th></tr>" + rows + "</tbody></table>"
    "<h1>Properties report</h1>"
    '<ac:structured-macro ac:name="detailssummary" ac:schema-version="3"><ac:parameter ac:name="headings">Owner,Tier,On-call</ac:parameter>'
    '<ac:parameter ac:name="cql">label = "service"</ac:parameter></ac:structured-macro>',
    labels=["catalogue"])
for i, (key, name, team, tier, summary) in enumerate(SERVICES):
    id = str(130 + i * 2)
    colour = {1: "Red", 2: "Yellow", 3: "Green"}[tier]
    oncall = "24/7" if tier == 1 else "Weekdays"
    body = (
        '<ac:structured-macro ac:name="details" ac:schema-version="1"><ac:rich-text-body><table><tbody>'
        f"<tr><th>Owner</th><td>{team}</td></tr>"
        f'<tr><th>Tier</th><td><ac:structured-macro ac:name="status" ac:schema-version="1"><ac:parameter ac:name="colour">{colour}</ac:parameter><ac:parameter ac:name="title">TIER {tier}</ac:parameter></ac:structured-macro></td></tr>'
        f"<tr><th>On-call</th><td>{oncall}</td></tr></tbody></table></ac:rich-text-body></ac:structured-macro>"
        f"<h1>Overview</h1><p>{summary}</p>" + anchor("dependencies") +
        f"<h1>Dependencies</h1><p>Calls the {link('API gateway service', 'gateway')} for authentication"
        + (f" and the {link('Ledger service', 'ledger')} for every posting" if key == "payments" else "") + ".</p>"
        f"<h1>Operations</h1><p>Runbook: {link(name + ' runbook')}. Support: see below.</p>"
        '<ac:structured-macro ac:name="include" ac:schema-version="1"><ac:parameter ac:name=""><ac:link><ri:page ri:content-title="Shared: support hours" /></ac:link></ac:parameter></ac:structured-macro>'
    )
    if key in ("payments", "search"):
        body += f'<h2>Architecture</h2><ac:image ac:width="520"><ri:attachment ri:filename="image.png" /></ac:image>'
    page(id, f"{name} service", "120", i + 1, body, labels=["service", f"tier-{tier}"])
    if key in ("payments", "search"):
        picture(f"pages/{id}/image.png", f"{name} architecture", (0, 102, 68) if key == "payments" else (64, 50, 148))
    page(str(131 + i * 2), f"{name} runbook", id, 1,
        f"<h1>Alerts</h1><p>Alerts for {name} page the {team}. Check the "
        + link(f"{name} service", "service page", "dependencies") + " for what it depends on.</p>"
        "<h1>Recovery</h1><ol><li>Check the dashboards.</li><li>Roll back the last release: see "
        + link("Release process", "rollback", "rollback") + ".</li><li>Escalate per the " + link("Paging policy") + ".</li></ol>",
        labels=["runbook"])

# Level 2: Processes with children.
page("160", "Processes", "100", 3,
    "<p>How changes reach production and how we respond when they go wrong.</p>"
    '<ac:structured-macro ac:name="contentbylabel" ac:schema-version="4"><ac:parameter ac:name="cql">label = "process"</ac:parameter></ac:structured-macro>')
page("161", "Release process", "160", 1,
    "<h1>Release train</h1><p>Releases leave every weekday at 11:00 CET.</p>" + anchor("rollback") +
    "<h1>Rollback</h1><p>Any engineer may roll back; announce it in #releases.</p>"
    '<ac:structured-macro ac:name="excerpt-include" ac:schema-version="1"><ac:parameter ac:name=""><ac:link><ri:page ri:content-title="Service catalogue" /></ac:link></ac:parameter></ac:structured-macro>',
    labels=["process"])
page("162", "Incident response", "160", 2,
    "<h1>Roles</h1><table><tbody><tr><th>Role</th><th>Does</th></tr><tr><td>Incident lead</td><td>Decides and delegates</td></tr>"
    "<tr><td>Scribe</td><td>Keeps the timeline</td></tr></tbody></table><h1>After the incident</h1><p>Write a review within five days; see "
    + link("Postmortem template") + ".</p>",
    labels=["process"])
page("163", "Postmortem template", "162", 1,
    "<h1>Summary</h1><p>What happened, in two sentences.</p><h1>Timeline</h1><p>Times in UTC.</p><h1>Actions</h1><p>Each with an owner and a date.</p>",
    labels=["process", "template"])
page("164", "Paging policy", "160", 3,
    "<h1>Who is paged</h1><p>Tier-1 alerts page immediately; tier-2 alerts page in working hours.</p>"
    "<h1>Escalation</h1><p>After 15 minutes without acknowledgement, the secondary is paged. Incident roles are in "
    + link("Incident response") + ".</p>",
    labels=["process", "on-call"])
page("165", "Quarterly review process", "160", 4,
    "<h1>What is reviewed</h1><p>Pages, runbooks and dashboards older than a year.</p>",
    labels=["process"])

# Level 2: Architecture.
page("170", "Architecture", "100", 4,
    '<ac:structured-macro ac:name="toc" ac:schema-version="1" />'
    "<h1>Principles</h1><p>Services own their data; the " + link("API gateway service", "gateway") + " is the only way in.</p>"
    "<h1>Decisions</h1>"
    '<ac:structured-macro ac:name="children" ac:schema-version="2" />')
page("171", "ADR 1: Postgres for transactional data", "170", 1,
    "<h1>Context</h1><p>We need strong consistency for money.</p><h1>Decision</h1><p>Postgres, one database per service.</p>",
    labels=["adr"])
page("172", "ADR 2: Events over Kafka", "170", 2,
    "<h1>Context</h1><p>Services need change notifications.</p><h1>Decision</h1><p>Kafka topics per aggregate; see the "
    + link("Ledger service", "ledger") + " for the first user.</p>",
    labels=["adr"])

# Blog posts.
page("900", "Handbook 2.0 is live", None, 0,
    "<p>The handbook moved to the new structure. Start at the " + link("Platform handbook", "home page") + ".</p>",
    kind="blogpost", date="2025-09-15", author="Priya Raman", labels=["news"])
page("901", "Q3 incident review", None, 0,
    "<p>Three tier-1 incidents this quarter; all reviewed within five days following " + link("Incident response") + ".</p>",
    kind="blogpost", date="2025-10-06", author="Jonas Weber", labels=["news"])

manifest = {
    "title": "Platform handbook",
    "logo": "logo.png",
    "base_url": "https://acme.atlassian.net/wiki",
    "space_key": "PLAT",
    "space_name": "Platform",
    "users": {"557058:aaaa": "Priya Raman", "557058:bbbb": "Jonas Weber"},
    "pages": pages,
}
picture("logo.png", "ACME platform", (23, 43, 77), (360, 120))
with open("folio.json", "w") as f:
    json.dump(manifest, f, indent=2, ensure_ascii=False)
    f.write("\n")
print(len(pages), "pages")
