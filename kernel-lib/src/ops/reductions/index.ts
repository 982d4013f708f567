export { minimumOfAllPixels, maximumOfAllPixels, sumOfAllPixels } from './all-pixels';
