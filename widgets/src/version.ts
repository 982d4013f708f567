/** npm name of this module: the `_model_module` / `_view_module` of Tessera's widget models. */
export const MODULE_NAME = '@tessera/widgets';

/** Version registered with the widget manager; kernels ask for `^0.1.0` (keep equal to package.json). */
export const MODULE_VERSION = '0.1.0';
