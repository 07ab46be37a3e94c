import statistics, time, cProfile, pstats, io, sys
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
from accounts.models import User
c = Client()
c.force_login(User.objects.get(username="transitaire"))
url = sys.argv[1] if len(sys.argv) > 1 else "/soprano/rex/"
r = c.get(url)
print(r.status_code, {k: (r.context[k].paginator.count, len(r.context[k].object_list)) for k in ("en_cours","brouillons","autorisations","rejetees")} if r.context else "", len(r.content))
d = []
for _ in range(20):
    t = time.perf_counter(); c.get(url); d.append((time.perf_counter() - t) * 1000)
print("median ms", statistics.median(d))
pr = cProfile.Profile(); pr.enable()
for _ in range(5): c.get(url)
pr.disable()
s = io.StringIO(); pstats.Stats(pr, stream=s).sort_stats("tottime").print_stats(30); print(s.getvalue()[:5000])
