"""jupyter_kernel_test's suite against the Tessera kernelspec (conformance.test.ts runs it).

Usage: python -m unittest -v kernel_suite   (the kernelspec 'tessera' on JUPYTER_PATH; the
working directory is the notebook folder the kernel runs in).

Not applicable, and skipped by the suite itself:
- test_pager: IPython's `?obj` puts help in a 'page' payload; TypeScript has no such syntax, and
  the same help comes from inspect_request (test_inspect).
- test_recv_iopub_welcome_msg: iopub_welcome (an XPUB socket) belongs to protocol 5.5; this kernel
  speaks 5.3.
"""
import unittest

import jupyter_kernel_test


class TesseraKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = 'tessera'
    language_name = 'typescript'
    file_extension = '.ts'

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("oops")'
    completion_samples = [
        {'text': 'Math.fl', 'matches': {'floor'}},
        {'text': 'const zebraCount = 1;\nzebraC', 'matches': {'zebraCount'}},
    ]
    complete_code_samples = ['1 + 2', 'const x = 1;', 'function f() {\n  return 1;\n}', 'await Promise.resolve(1)']
    incomplete_code_samples = ['function f() {', 'const xs = [1,', 'const s = `open', 'if (true)']
    invalid_code_samples = ['1 +* 2', 'const = 5;', ')', 'x = = 1']
    code_generate_error = 'throw new Error("boom")'
    code_execute_result = [
        {'code': '6 * 7', 'result': '42'},
        {'code': '"a" + "b"', 'result': "'ab'"},
        {'code': '[1, 2].map((x) => x * 2)', 'result': '[ 2, 4 ]'},
    ]
    code_display_data = [
        {'code': 'import { displayMimeBundle } from "tessera/jupyter";\nvoid displayMimeBundle({ "text/html": "<b>hi</b>", "text/plain": "hi" })', 'mime': 'text/html'},
    ]
    code_history_pattern = '6*'
    supported_history_operations = ('tail', 'range', 'search')
    code_inspect_sample = 'Math.max'
    code_clear_output = 'import { clearOutput } from "tessera/jupyter";\nclearOutput()'


class TesseraIopubWelcomeTests(jupyter_kernel_test.IopubWelcomeTests):
    kernel_name = 'tessera'


if __name__ == '__main__':
    unittest.main()
