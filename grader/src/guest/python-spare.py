# A python3 process started before a check needs it, as client-spare.js is for node: under
# TCG, python3 with yaml and jsonschema imported takes seconds to start. It imports them, waits
# on fd 3 for what to run, then becomes that program: `python3 SCRIPT ARGS` with its
# arguments, environment and sys.path[0] set, run as __main__. Exit codes, uncaught
# exceptions, signals and output are the interpreter's own. Handed out by guest/spares.ts.
import importlib
import json
import os
import runpy
import sys

# What the kernel's YNL tools (tools/net/ynl) and pyroute2 load first; any that is missing
# is simply imported by the program itself, as it would be without a spare.
for name in ('yaml', 'jsonschema', 'argparse', 'socket', 'struct', 'pprint'):
    try:
        importlib.import_module(name)
    except Exception:
        pass

with os.fdopen(3, 'rb') as pipe:
    text = pipe.read()  # blocks until the runner writes the order and closes the pipe
if not text:
    sys.exit(0)
order = json.loads(text)
os.environ.update(order['env'])
script = order['path']
sys.argv = [script, *order['args']]
sys.path[0] = os.path.dirname(os.path.abspath(script))
runpy.run_path(script, run_name='__main__')
