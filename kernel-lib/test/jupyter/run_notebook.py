"""Executes a notebook with nbclient and allow_errors=True, as `jupyter nbconvert --execute
--allow-errors` and papermill do (they send stop_on_error=False), and prints what every cell
kept: its execution count and outputs (conformance.test.ts asserts on them).

Usage: python run_notebook.py NOTEBOOK_FOLDER   (the kernelspec 'tessera' on JUPYTER_PATH)
"""
import json
import sys

import nbformat
from nbclient import NotebookClient

CELLS = [
    'import * as tessera from "tessera";\nawait tessera.init();\nconsole.log("ready");',
    'const image = tessera.push(new Float32Array([1, 2, 3, 4]), [2, 2]);\nimage.shape',
    'tessera.gaussianBlur(image, -1)',
    'const { data } = await tessera.pull(tessera.addImageAndScalar(image, 1));\nArray.from(data).reduce((a, b) => a + b, 0)',
    'undefinedName + 1',
    'console.log("after two errors");\n"done"',
]


def main():
    nb = nbformat.v4.new_notebook()
    nb.metadata['kernelspec'] = {'name': 'tessera', 'display_name': 'TypeScript (Tessera)', 'language': 'typescript'}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    NotebookClient(nb, kernel_name='tessera', allow_errors=True, timeout=120, resources={'metadata': {'path': sys.argv[1]}}).execute()
    cells = []
    for cell in nb.cells:
        outputs = []
        for o in cell.outputs:
            entry = {'output_type': o.output_type}
            if o.output_type == 'stream':
                entry['text'] = o.text
            elif o.output_type == 'error':
                entry.update(ename=o.ename, evalue=o.evalue)
            else:
                entry['text/plain'] = o.get('data', {}).get('text/plain')
                entry['execution_count'] = o.get('execution_count')
            outputs.append(entry)
        cells.append({'execution_count': cell.execution_count, 'outputs': outputs})
    json.dump(cells, sys.stdout)


if __name__ == '__main__':
    main()
