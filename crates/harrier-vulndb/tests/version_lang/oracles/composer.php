<?php
// composer/semver oracle for harrier's version tests: reads JSON [a, b] lines, writes
// JSON [normalize(a)|null, normalize(b)|null, order|null] lines. The order is Comparator's on
// the normalised versions; two different named branches are unordered (null).
$autoload = getenv('COMPOSER_SEMVER_AUTOLOAD') ?: '/usr/share/php/Composer/Semver/autoload.php';
require $autoload;

use Composer\Semver\Comparator;
use Composer\Semver\VersionParser;

$parser = new VersionParser();
$normalize = function ($text) use ($parser) {
    try {
        return $parser->normalize($text);
    } catch (\Exception $e) {
        return null;
    }
};
$out = '';
while (($line = fgets(STDIN)) !== false) {
    list($a, $b) = json_decode($line);
    $na = $normalize($a);
    $nb = $normalize($b);
    $order = null;
    if ($na !== null && $nb !== null) {
        if (Comparator::lessThan($na, $nb)) {
            $order = -1;
        } elseif (Comparator::greaterThan($na, $nb)) {
            $order = 1;
        } elseif (Comparator::equalTo($na, $nb)) {
            $order = 0;
        }
    }
    $out .= json_encode(array($na, $nb, $order)) . "\n";
}
echo $out;
