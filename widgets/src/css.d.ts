/** CSS imported by views is bundled by the JupyterLab extension's builder. */
declare module '*.css';
